from entra_aws.cli import main

raise SystemExit(main())
