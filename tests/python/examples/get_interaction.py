previous_interaction = client.interactions.get("<YOUR_INTERACTION_ID>")

print(previous_interaction)
