"""The SI account after enrolment: each month's contributions, their payment deadline, the
reminders and what an unconfirmed month does to the employees' status (社保缴费)."""
