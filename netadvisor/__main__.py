from netadvisor.cli import main

main()
