from services.rectify.main import main

main()
