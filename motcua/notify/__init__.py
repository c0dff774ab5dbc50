"""Notifications to applicants and staff: e-mail (SMTP) and SMS (an HTTP gateway), Vietnamese templates."""
