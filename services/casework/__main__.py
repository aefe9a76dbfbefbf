from services.casework.app import main

main()
