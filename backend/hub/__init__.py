"""The omnichannel hub's logic: conversations, the bridge to the bot, handoffs. No web code."""
