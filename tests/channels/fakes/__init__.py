"""Contract-faithful stand-ins for WeCom, DingTalk and Aliyun SMS: real HTTP servers on loopback,
each built from the provider's published API reference (docs/channels.md names the documents).
A request that breaks the contract is answered with the provider's error and listed in
`violations`, which every test asserts is empty."""
