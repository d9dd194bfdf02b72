# #8 (receivables): messages of this part.
