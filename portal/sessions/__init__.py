"""Server-side session records: staff sign-ins and citizens' tracking visits end on the server."""
