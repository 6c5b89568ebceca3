"""The review workflow itself: the platform's task base and 审核 task, the workflows every unit gets,
the rules binding what was approved to what goes live (integrity), and the finishing action (finish)."""
