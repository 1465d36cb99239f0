/* C stubs of the Counter library: a 64-bit FNV-1a hash of a string, and
   the number of set bits of an integer. */
#include <stdint.h>
#include <caml/mlvalues.h>

value counter_fnv1a(value s)
{
  uint64_t h = 14695981039346656037ULL;
  mlsize_t len = caml_string_length(s);
  const unsigned char *p = (const unsigned char *) String_val(s);
  for (mlsize_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  /* Keep 62 bits: the result fits an OCaml int everywhere. */
  return Val_long((intnat) (h >> 2));
}

value counter_popcount(value n)
{
  uintnat x = (uintnat) Long_val(n);
  int count = 0;
  while (x) {
    count += x & 1;
    x >>= 1;
  }
  return Val_int(count);
}
