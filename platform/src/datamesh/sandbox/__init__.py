"""An operating-system wall around every dbt process: write only in the build's own folders."""
