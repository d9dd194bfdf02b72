# #8 (dunning): messages of this part.
