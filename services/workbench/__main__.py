from services.workbench.main import main

main()
