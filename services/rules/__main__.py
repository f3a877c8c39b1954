from services.rules.main import main

main()
