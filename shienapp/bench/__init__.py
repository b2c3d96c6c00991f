"""``shienapp bench``: the performance suite for a large city (issue 9).

The measuring lives in the package so that ``shienapp bench`` works from an installed copy;
what needs a window runs in child processes (``shienapp.gui.bench_probe``) so that every
start-up is measured from a fresh process and the command line never imports the GUI.
"""

# The groups ``--only`` chooses from; here so the command line's parser does not import the
# runner (and statistics, subprocess…) at every start of the app.
GROUPS = ("startup", "lists", "memory", "print", "charts", "layout", "merge")
