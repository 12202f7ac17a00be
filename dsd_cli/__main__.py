from dsd_cli.cli.app import main

main()
