#!/usr/bin/env python3
"""Norwegian organisation numbers (NO-BRC) for test fixtures and examples.

    orgnr.py check 964338531 920290922   -> says which are valid (MOD11, weights 3,2,7,6,5,4,3,2)
    orgnr.py make 91234567 99887766      -> completes 8-digit stems with their check digit
    orgnr.py fake 10 [seed]              -> ten valid, invented numbers starting with 9

The numbers 'fake' prints are valid by the check digit only; they are invented and may or
may not belong to a real company. Use invented company names with them.
"""
import random
import sys

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(stem):
    """The MOD11 check digit for an 8-digit stem, or None when the stem has none (10)."""
    total = sum(int(d) * w for d, w in zip(stem, WEIGHTS))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    return None if digit == 10 else digit


def valid(number):
    return (len(number) == 9 and number.isdigit()
            and check_digit(number[:8]) == int(number[8]))


def main(argv):
    if len(argv) < 2 or argv[0] not in ("check", "make", "fake"):
        print(__doc__)
        return 2
    if argv[0] == "check":
        for n in argv[1:]:
            print(n, "valid" if valid(n) else "NOT valid")
    elif argv[0] == "make":
        for stem in argv[1:]:
            d = check_digit(stem)
            print(stem + str(d) if d is not None else stem + ": no check digit, pick another")
    else:
        rng = random.Random(argv[2] if len(argv) > 2 else 4631)
        made = 0
        while made < int(argv[1]):
            stem = "9" + "".join(rng.choice("0123456789") for _ in range(7))
            d = check_digit(stem)
            if d is not None:
                print(stem + str(d))
                made += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
