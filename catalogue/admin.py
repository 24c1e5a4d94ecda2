from oscar.apps.catalogue.admin import *  # noqa: F403  (Oscar's catalogue admin for our fork)
