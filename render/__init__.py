"""Every PDF and file Caseguard makes for people: the evidence bundles (ZIP with a Chinese
timeline), the onboarding and case timelines, the expense claim and the determination form.
Used by the API and the activities alike; kit.py is the page kit they share."""
