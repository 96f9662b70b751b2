"""The admin's front page tells curators when uploads will not be processed."""

from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.ui.components import Component

from .health import queue_state


class StoppedWorkerPanel(Component):
    """A warning, in the curator's language, when no task worker runs or tasks are overdue:
    uploads then stay "queued" and nothing else says why."""

    name = "mha_stopped_worker"
    order = 10

    def __init__(self, state):
        self.state = state

    def render_html(self, parent_context=None) -> str:
        waiting = self.state.waiting or 0
        if not self.state.workers:
            headline = _("No task worker is running: uploads are not being processed.")
        else:
            headline = _("Tasks are waiting too long: the task workers cannot keep up.")
        count = ngettext("%(count)d task is waiting.", "%(count)d tasks are waiting.", waiting) % {
            "count": waiting
        }
        advice = _("Ask the administrator to start one (manage.py worker).")
        return format_html(
            '<section class="help-block help-critical" role="alert" id="mha-worker-warning">'
            "<p><strong>{}</strong> {} {}</p></section>",
            headline,
            count,
            advice,
        )


@hooks.register("construct_homepage_panels")
def warn_when_no_worker_runs(request, panels):
    state = queue_state()
    if state.problem:
        panels.insert(0, StoppedWorkerPanel(state))
