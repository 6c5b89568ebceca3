def build_tree_on_provisioning(sender, *, unit, created, **kwargs) -> None:
    from .models import ColumnRequirement
    from .services import build_column_tree

    if ColumnRequirement.objects.filter(unit=unit).exists():
        build_column_tree(unit=unit)
