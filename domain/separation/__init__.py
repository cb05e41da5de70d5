"""The SI stop (减员) when an employment ends: the same maker-checker as enrolment (submit,
approve by a different HR manager, a hold while it can be revoked), then HR executes it at the
bureau by hand and records the bureau's reference and receipt."""
