"""The employee record (员工档案): one person across re-hires, and their SI status timeline."""
