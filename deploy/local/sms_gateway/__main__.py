"""`python -m deploy.local.sms_gateway --port 8025 --dir .local/sms`: the same command line."""

from deploy.local.sms_gateway.app import main

if __name__ == "__main__":
    main()
