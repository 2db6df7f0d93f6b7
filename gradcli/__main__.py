"""``python -m gradcli``."""

from gradcli.launch import main

main()
