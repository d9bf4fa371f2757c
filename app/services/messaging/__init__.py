"""Messages the lender sends by itself (SMS, e-mail) and the channels that carry them."""
