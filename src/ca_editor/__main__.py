from ca_editor.cli import main

raise SystemExit(main())
