"""What iostat and mpstat (sysstat 12.6.1) share: the banner, the CPU count,
dates, colours, sysstat's printf helpers and its JSON indentation.

* Banner: ``"%s %s (%s) \\t%s \\t_%s_\\t(%d CPU)\\n"`` of uname (sysname,
  release, nodename), the date (``%x``, or ``%Y-%m-%d`` with
  ``S_TIME_FORMAT=ISO``), the machine and the CPU count.
* CPU count: the ``cpuN`` directories of /sys/devices/system/cpu (mpstat
  sizes its tables by the highest N + 1); with none, the highest ``cpuN`` of
  /proc/stat + 1.
* Colours (``S_COLORS``): unset or ``auto``, only when stdout is a terminal;
  ``always``; ``never``.  ``S_COLORS_SGR`` overrides the SGR codes
  (``H`` percentages >= 75, ``M`` >= 50, ``Z`` zero values, ``N`` other
  values, ``I`` item names).
* Numbers: ``cprintf_f`` (``" %*.*f"``), ``cprintf_pc`` (percentages, with a
  ``%`` sign and one decimal less in human mode), ``cprintf_u64`` and the
  human units of ``cprintf_unit`` (``s B k M G T P ?``, dividing by 1024).
  ``--dec=N`` replaces the decimals of every value that has some.
"""

from __future__ import annotations

import os
import time

from pystat.errors import PystatError, SourceError

PERCENT_HIGH = 75.0
PERCENT_LOW = 50.0
UNITS = "sBkMGTP?"

#: sysstat's default SGR codes
DEFAULT_SGR = {"H": "\x1b[31;1m", "M": "\x1b[35;1m", "Z": "\x1b[34;22m",
               "N": "\x1b[34;1m", "I": "\x1b[32;22m"}
NORMAL = "\x1b[0m"


class UsageError(PystatError):
    """sysstat prints its usage and exits 1; pystat says what was wrong."""

    def __init__(self, tool: str, what: str):
        super().__init__(f"{tool}: {what} (usage: {tool} [ options ] [ <interval> [ <count> ] ])",
                         exit_code=1)


def is_iso() -> bool:
    return os.environ.get("S_TIME_FORMAT") == "ISO"


def use_locale_time() -> None:
    """sysstat calls setlocale(LC_TIME, ""): %x and %X follow the user's locale."""
    import _locale  # the C module: the locale package costs more to import than iostat runs

    try:
        _locale.setlocale(_locale.LC_TIME, "")
    except _locale.Error:
        pass


def report_date(epoch: float) -> str:
    return time.strftime("%Y-%m-%d" if is_iso() else "%x", time.localtime(epoch))


def banner(uname: tuple[str, str, str, str], epoch: float, cpu_nr: int, json: bool) -> str:
    sysname, nodename, release, machine = uname
    date = report_date(epoch)
    if not json:
        return "%s %s (%s) \t%s \t_%s_\t(%d CPU)\n" % (sysname, release, nodename, date,
                                                       machine, cpu_nr)
    return ('{"sysstat": {\n'
            '\t"hosts": [\n'
            '\t\t{\n'
            f'\t\t\t"nodename": "{nodename}",\n'
            f'\t\t\t"sysname": "{sysname}",\n'
            f'\t\t\t"release": "{release}",\n'
            f'\t\t\t"machine": "{machine}",\n'
            f'\t\t\t"number-of-cpus": {cpu_nr},\n'
            f'\t\t\t"date": "{date}",\n'
            '\t\t\t"statistics": [\n')


JSON_END = "\t\t\t]\n\t\t}\n\t]\n}}\n"

CPU_DIR = "/sys/devices/system/cpu"


def _cpu_dir_number(name: str) -> int | None:
    """The N of a ``cpuN`` entry (``sscanf("%d")`` after "cpu"), or None."""
    if not (name.startswith("cpu") and name[3:4].isdigit() and name[3:4].isascii()):
        return None
    digits = ""
    for ch in name[3:]:
        if not ("0" <= ch <= "9"):
            break
        digits += ch
    v = min(int(digits), (1 << 63) - 1)  # strtol saturates, then the int keeps 32 bits
    return (v + (1 << 31)) % (1 << 32) - (1 << 31)


def sys_cpu_nr(root, highest: bool) -> int:
    """get_sys_cpu_nr(): cpuN directories (or the highest N + 1); 0 if none."""
    try:
        names = root.listdir(CPU_DIR)
    except SourceError:
        return 0
    count, top = 0, -1
    for name in names:
        n = _cpu_dir_number(name)
        if n is None:
            continue
        st = root.stat(f"{CPU_DIR}/{name}")
        if st is None or not _isdir(st):
            continue
        count += 1
        top = max(top, n)
    return top + 1 if highest else count


def _isdir(st) -> bool:
    import stat

    return stat.S_ISDIR(st.st_mode)


def proc_cpu_nr(root, tool: str) -> int:
    """get_proc_cpu_nr(): the highest cpuN of /proc/stat + 1 (read in 15-byte pieces)."""
    from pystat.proc.cscan import fgets_lines, strtol

    try:
        text = root.read("/proc/stat")
    except SourceError as e:
        raise PystatError(f"{tool}: {e}", exit_code=1) from None
    top = -1
    for line in fgets_lines(text, 16):
        if line.startswith("cpu") and not line.startswith("cpu "):
            n, _ = strtol(line, 3)
            if n is not None:
                top = max(top, n)
    return top + 1


def cpu_nr(root, tool: str, highest: bool = False) -> int:
    n = sys_cpu_nr(root, highest)
    return n if n else proc_cpu_nr(root, tool)


# --------------------------------------------------------------------------
# colours and sysstat's printf helpers

class Painter:
    """sysstat's cprintf_* functions, colours included, as string builders."""

    def __init__(self, colours: bool, dplaces: int = -1):
        self.dplaces = dplaces
        if colours:
            sgr = dict(DEFAULT_SGR)
            for p in os.environ.get("S_COLORS_SGR", "").split(":"):
                if (3 <= len(p) <= 7 and p[1] == "=" and p[0] in "HMZNICR"
                        and all(c in ";0123456789" for c in p[2:])):
                    sgr[p[0]] = f"\x1b[{p[2:]}m"
            self.high, self.low = sgr["H"], sgr["M"]
            self.zero, self.int, self.item = sgr["Z"], sgr["N"], sgr["I"]
            self.normal = NORMAL
        else:
            self.high = self.low = self.zero = self.int = self.item = self.normal = ""

    @staticmethod
    def wanted(out) -> bool:
        """init_colors(): whether sysstat would colour its output to ``out``."""
        e = os.environ.get("S_COLORS")
        if e == "never":
            return False
        if e == "always":
            return True
        try:
            return out.isatty()
        except (AttributeError, ValueError):
            return False

    def unit(self, unit: int, wi: int, val: float) -> str:
        """cprintf_unit(): ``val`` in ``UNITS[unit]``, scaled by 1024s."""
        if wi < 4:
            wi = 4
        if unit == 0:  # sectors: to kB
            val /= 2
            unit = 2
        while val >= 1024:
            val /= 1024
            unit += 1
        return " %*.*f%s%s" % (wi - 1, 1 if self.dplaces else 0, val, self.normal,
                               UNITS[min(unit, len(UNITS) - 1)])

    def f(self, val: float, wi: int, wd: int = 2, unit: int | None = None) -> str:
        """cprintf_f() of one value."""
        if wd > 0 and self.dplaces >= 0:
            wd = self.dplaces
        lim = 0.05 if wd == 1 else 0.005
        if (wd > 0 and -lim < val < lim) or (wd == 0 and -0.5 <= val <= 0.5):
            colour = self.zero
        else:
            colour = self.int
        if unit is None:
            return "%s %*.*f%s" % (colour, wi, wd, val, self.normal)
        return colour + self.unit(unit, wi, val)

    def pc(self, val: float, wi: int, wd: int = 2, human: bool = False) -> str:
        """cprintf_pc() of one value."""
        if wd > 0 and self.dplaces >= 0:
            wd = self.dplaces
        if human:
            if wi < 4:
                wi = 4
            wi -= 1
            if wd > 1:
                wd -= 1
        lim = 0.05 if wd == 1 else 0.005
        if val >= PERCENT_HIGH:
            colour = self.high
        elif val >= PERCENT_LOW:
            colour = self.low
        elif (wd > 0 and val < lim) or (wd == 0 and val <= 0.5):
            colour = self.zero
        else:
            colour = self.int
        return "%s %*.*f%s%s" % (colour, wi, wd, val, self.normal, "%" if human else "")

    def u64(self, val: int, wi: int, unit: int | None = None) -> str:
        """cprintf_u64() of one value."""
        colour = self.int if val else self.zero
        if unit is None:
            return "%s %*d%s" % (colour, wi, val, self.normal)
        return colour + self.unit(unit, wi, float(val))

    def name(self, fmt: str, value) -> str:
        """cprintf_in(): an item name."""
        return self.item + (fmt % value) + self.normal


def tabs(n: int) -> str:
    return "\t" * n


def parse_dec(arg: str, tool: str) -> int | None:
    """``--dec=N`` (exactly one character after '='), or None if ``arg`` is not one."""
    if not (arg.startswith("--dec=") and len(arg) == 7):
        return None
    from pystat.proc.cscan import strtol

    v, _ = strtol(arg[6:])  # atoi()
    v = 0 if v is None else v
    if not 0 <= v <= 2:
        raise UsageError(tool, f"{arg}: decimal places must be 0, 1 or 2")
    return v


def atol(text: str) -> int:
    """C atol() of an all-digit argument (saturating)."""
    if not text:
        return 0
    v = int(text)
    return min(v, (1 << 63) - 1)


def all_digits(text: str) -> bool:
    """strspn(arg, DIGITS) == strlen(arg) (true for the empty string, as in C)."""
    return all("0" <= c <= "9" for c in text)


class Pacer:
    """sysstat's alarm(interval): samples every interval from the start, however
    long each took (a live host sleeps what is left; a capture steps on).

    ``wait()`` returns False when the user interrupted the pause (sysstat's
    SIGINT handler: the run ends as if the count were reached).
    """

    def __init__(self, host, interval: int):
        self.host = host
        self.interval = interval
        self.deadline = time.monotonic()

    def wait(self) -> bool:
        self.deadline += self.interval
        seconds = self.interval
        if self.host.live:
            seconds = max(0.0, self.deadline - time.monotonic())
        try:
            self.host.wait(seconds)
        except KeyboardInterrupt:
            return False
        return True
