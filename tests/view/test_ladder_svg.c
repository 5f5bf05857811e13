/* Tests for view/ladder_svg: the document is self-contained XML with its text escaped and the
 * reply codes a teacher looks for. (tests/cli/player_chart.sh parses the written file with a real XML
 * parser.) */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include "test.h"

#include "view/fixture.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "view/ladder_svg.h"

#include <stdlib.h>
#include <string.h>

static Trace *run(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", MAILSIM_SOURCE_DIR, name);
    World *w = scenario_load_file(path, NULL);
    if (!w) {
        return NULL;
    }
    Trace *tr = sim_run_world(w, NULL);
    world_destroy(w);
    return tr;
}

/* The SVG of message `msg` as a string the caller frees. */
static char *svg_of(const Trace *tr, int32_t msg, const LadderOptions *o)
{
    Ladder *ld = ladder_build(tr, msg, o);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    bool ok = ladder_svg_write(ld, THEME_LIGHT, f);
    fclose(f);
    ladder_destroy(ld);
    if (!ok) {
        free(buf);
        return NULL;
    }
    return buf;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

/* Every '&' starts one of the five entities, every '<' starts a tag: nothing raw slipped in. */
static bool escaped(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '&' && strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
            strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6)) {
            return false;
        }
        if (*p == '<' && !(p[1] == '/' || p[1] == '?' || (p[1] >= 'a' && p[1] <= 'z'))) {
            return false;
        }
    }
    return true;
}

static void ladder_svg_should_be_a_self_contained_document_with_the_codes(void)
{
    Trace *tr = run("05-greylisting.json");
    REQUIRE(tr != NULL);
    char *svg = svg_of(tr, 0, NULL);
    REQUIRE(svg != NULL);
    CHECK(strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
    CHECK(strstr(svg, "font-family=\"DejaVu Sans, sans-serif\"") != NULL);
    CHECK(strstr(svg, "450 4.2.0") != NULL);
    CHECK(strstr(svg, "250 2.1.5 Ok") != NULL);
    CHECK(strstr(svg, "class=\"refusal-temporary\"") != NULL);
    CHECK(strstr(svg, "class=\"gap\"") != NULL);
    CHECK(strstr(svg, "RCPT TO:&lt;bob@b.example&gt;") != NULL);
    /* No external file: no image, no link, no @import, no url(). */
    CHECK(strstr(svg, "<image") == NULL && strstr(svg, "href") == NULL &&
          strstr(svg, "@import") == NULL && strstr(svg, "url(") == NULL);
    CHECK(escaped(svg));
    CHECK_EQ_INT(count(svg, "<g"), count(svg, "</g>"));
    CHECK_EQ_INT(count(svg, "<text"), count(svg, "</text>"));
    size_t len = strlen(svg);
    CHECK(len > 7 && strcmp(svg + len - 7, "</svg>\n") == 0);
    free(svg);
    trace_destroy(tr);
}

static void ladder_svg_should_mark_a_permanent_refusal_with_a_cross(void)
{
    Trace *tr = run("03-unknown-user.json");
    REQUIRE(tr != NULL);
    char *svg = svg_of(tr, trace_find_msg(tr, "m1"), NULL);
    REQUIRE(svg != NULL);
    const char *g = strstr(svg, "<g class=\"refusal-permanent\"><title>550 5.1.1");
    REQUIRE(g != NULL);
    const char *end = strstr(g, "</g>");
    REQUIRE(end != NULL);
    const char *cross = strstr(g, "<path d=\"M");
    CHECK(cross && cross < end && strstr(cross, "stroke-linecap=\"round\"") < end);
    const char *tag = strstr(g, "refused for good");
    CHECK(tag && tag < end);
    CHECK(strstr(svg, "m1-dsn") != NULL);
    free(svg);
    trace_destroy(tr);
}

/* Markup in trace text (a subject, a reply) comes out as entities, and the document still
 * balances. */
static void ladder_svg_should_escape_trace_text(void)
{
    Trace *tr = trace_create();
    Fx fx = { tr, TRACE_NONE };
    trace_set_meta(tr, "x", "x", "x", 1);
    fx_topology(&fx);
    fx_submit(&fx, "<script>alert(\"&\")</script> 'quoted'");
    fx_relay_to_rcpt(&fx, "bob@b.example");
    fx_reply(&fx, 1710, N_MX_B, N_SMTP_A, 1750, 550, "550 5.7.1 <b>&nbsp;</b> \"no\" 'thanks'");
    char *svg = svg_of(tr, 0, NULL);
    REQUIRE(svg != NULL);
    CHECK(escaped(svg));
    CHECK(strstr(svg, "<script") == NULL);
    CHECK(strstr(svg, "&lt;script&gt;alert(&quot;&amp;&quot;)") != NULL);
    CHECK(strstr(svg, "550 5.7.1 &lt;b&gt;&amp;nbsp;&lt;/b&gt; &quot;no&quot; &apos;thanks&apos;") != NULL);
    CHECK_EQ_INT(count(svg, "<g"), count(svg, "</g>"));
    free(svg);
    trace_destroy(tr);
}

/* With the future hidden, nothing after the playhead is written, and the playhead is. */
static void ladder_svg_should_leave_out_the_hidden_future(void)
{
    Trace *tr = run("05-greylisting.json");
    REQUIRE(tr != NULL);
    LadderOptions o = { INT64_C(100000000), true };
    char *svg = svg_of(tr, 0, &o);
    REQUIRE(svg != NULL);
    CHECK(strstr(svg, "450 4.2.0") != NULL);
    CHECK(strstr(svg, "250 2.1.5 Ok") != NULL); /* the submission's, before the relay */
    CHECK(strstr(svg, "queued as 4BD87226D1") == NULL);
    CHECK(strstr(svg, "class=\"playhead\"") != NULL);
    CHECK(strstr(svg, "now 00:01:40.000") != NULL);
    free(svg);
    trace_destroy(tr);
}

int main(void)
{
    static const TestCase cases[] = {
        { "ladder_svg_should_be_a_self_contained_document_with_the_codes",
          ladder_svg_should_be_a_self_contained_document_with_the_codes },
        { "ladder_svg_should_mark_a_permanent_refusal_with_a_cross",
          ladder_svg_should_mark_a_permanent_refusal_with_a_cross },
        { "ladder_svg_should_escape_trace_text", ladder_svg_should_escape_trace_text },
        { "ladder_svg_should_leave_out_the_hidden_future",
          ladder_svg_should_leave_out_the_hidden_future },
    };
    return test_main(cases, sizeof cases / sizeof cases[0]);
}
