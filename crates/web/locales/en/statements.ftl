# #8 (statements): messages of this part.
