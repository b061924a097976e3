"""The HTML report (`apl-policy report`) and the project's page style."""
