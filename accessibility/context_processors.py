from .preferences import elder_mode_on


def elder_mode(request):
    """`elder_mode` for the public templates: <html class="elder"> and the switch's label."""
    return {"elder_mode": elder_mode_on(request)}
