from types import SimpleNamespace

from onroll.web.templatetags.govuk import select_options


def _field(value, choices):
    return SimpleNamespace(value=lambda: value, field=SimpleNamespace(choices=choices))


def test_select_options_marks_the_current_value_and_escapes():
    html = select_options(_field("2", [("", "Any"), ("1", "St Mary's"), ("2", '<b>"Oak" & Ash</b>')]))
    assert html == (
        '<option value="">Any</option><option value="1">St Mary&#x27;s</option>'
        '<option value="2" selected>&lt;b&gt;&quot;Oak&quot; &amp; Ash&lt;/b&gt;</option>'
    )


def test_select_options_with_no_value_selects_the_empty_choice():
    assert 'value="" selected' in select_options(_field(None, [("", "Any"), ("a", "A")]))
