# #8 (lettering): messages of this part.
