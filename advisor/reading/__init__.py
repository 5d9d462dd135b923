"""Reading what the user wrote: free text (and later config files) into facts, each with the words it came from."""
