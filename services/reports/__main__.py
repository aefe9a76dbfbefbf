from services.reports.app import main

main()
