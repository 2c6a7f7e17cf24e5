from pystat.cli import main

main()
