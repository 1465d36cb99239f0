/* FNV-1a over the bytes of an OCaml string. */
#include <caml/mlvalues.h>

value codebase_fnv1a(value s)
{
  unsigned long h = 2166136261UL;
  mlsize_t n = caml_string_length(s);
  const unsigned char *p = (const unsigned char *) String_val(s);
  for (mlsize_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 16777619UL;
  }
  return Val_long(h & 0x3fffffff);
}
