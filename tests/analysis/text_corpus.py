"""A fixed small corpus of customer comments on three known topics (wait/queue, price/bill, friendly staff)."""

WAIT = ["The wait in the queue was far too long", "Long queue and a long wait at the counter",
        "Waited forty minutes in the queue", "The queue barely moved, long wait again",
        "Such a long wait, the queue was out the door", "Queue was long and the wait was awful",
        "Another long wait in a slow queue today", "The wait was long and nobody managed the queue"]
PRICE = ["The price on the bill was higher than quoted", "My bill had a wrong price on it",
         "The bill was too expensive for the price of the service", "Price went up and the bill doubled",
         "Unexpected charges on the bill, the price is too high", "The bill and price were confusing",
         "Why is the price on my bill different every month", "The bill shows a price I never agreed to"]
STAFF = ["Friendly staff who really helped me", "The staff were so friendly and helpful",
         "Lovely friendly staff at the desk", "Staff were friendly and kind",
         "Really friendly staff, very helpful", "Helpful and friendly staff as always",
         "Friendly helpful staff made my day", "The staff at the desk were friendly and patient"]
CORPUS = WAIT + PRICE + STAFF
