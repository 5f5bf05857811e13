/* test_framebox: the frame checker the player's frame tests rely on — overlapping canvas texts,
 * texts on another node's tile, cut names, small fonts — checked on hand-made boxes, and the
 * --boxes JSON it writes. */
#define _POSIX_C_SOURCE 200809L

#include "view/fixture.h"
#include "test.h"

#include "view/framebox.h"
#include "view/layout.h"
#include "view/traceindex.h"

#include <stdlib.h>

typedef struct {
    Trace *tr;
    TraceIndex *ix;
    Layout *lay;
    FrameBoxes *fb;
} Setup;

static Setup setup(void)
{
    Setup s;
    s.tr = fixture_happy();
    s.ix = traceindex_create(s.tr);
    s.lay = layout_create(s.ix);
    layout_resize(s.lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    s.fb = framebox_create();
    framebox_reset(s.fb, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H);
    return s;
}

static void teardown(Setup *s)
{
    framebox_destroy(s->fb);
    layout_destroy(s->lay);
    traceindex_destroy(s->ix);
    trace_destroy(s->tr);
}

static void add(Setup *s, const char *text, float x, float y, float w, float h, int px,
                FrameTextRole role, bool clipped, int32_t node)
{
    FrameBox b = { text, x, y, w, h, px, (uint8_t)role, clipped, node, -1 };
    framebox_add(s->fb, &b);
}

/* A free spot on the canvas: right under the top bar, left of every tile. */
static void free_spot(const Setup *s, float *x, float *y)
{
    LayoutRect c = layout_region(s->lay, REGION_CANVAS);
    *x = c.x + 2;
    *y = c.y + c.h - 40;
}

static void framebox_should_count_overlapping_canvas_texts_once(void)
{
    Setup s = setup();
    float x, y;
    free_spot(&s, &x, &y);
    add(&s, "250 OK", x, y, 60, 16, 15, FB_PACKET, false, -1);
    add(&s, "MAIL FROM", x + 30, y + 8, 80, 16, 15, FB_PACKET, false, -1);
    add(&s, "alone", x + 200, y, 40, 16, 15, FB_PACKET, false, -1);
    /* Panels and bars are not canvas: a caption over a packet does not count. */
    add(&s, "caption", x, y, 300, 20, 22, FB_CAPTION, false, -1);
    FrameCheck fc;
    framebox_check(s.fb, s.lay, &fc);
    CHECK_EQ_INT(fc.text_overlaps, 1);
    CHECK(strstr(fc.first, "250 OK") != NULL);
    CHECK(!framebox_check_ok(&fc));
    teardown(&s);
}

static void framebox_should_allow_a_pixel_of_rounding(void)
{
    Setup s = setup();
    float x, y;
    free_spot(&s, &x, &y);
    add(&s, "a", x, y, 40, 16, 15, FB_PACKET, false, -1);
    add(&s, "b", x + 39.5f, y, 40, 16, 15, FB_PACKET, false, -1);
    FrameCheck fc;
    framebox_check(s.fb, s.lay, &fc);
    CHECK_EQ_INT(fc.text_overlaps, 0);
    CHECK(framebox_check_ok(&fc));
    teardown(&s);
}

static void framebox_should_flag_text_on_another_nodes_tile_only(void)
{
    Setup s = setup();
    LayoutRect mx = layout_node(s.lay, N_MX_B);
    add(&s, "mine", mx.x, mx.y, 30, 16, 17, FB_NODE_NAME, false, N_MX_B);
    FrameCheck fc;
    framebox_check(s.fb, s.lay, &fc);
    CHECK_EQ_INT(fc.tile_overlaps, 0);
    add(&s, "theirs", mx.x + 20, mx.y + 30, 30, 16, 17, FB_NODE_NAME, false, N_ALICE);
    framebox_check(s.fb, s.lay, &fc);
    CHECK_EQ_INT(fc.tile_overlaps, 1);
    teardown(&s);
}

static void framebox_should_flag_cut_names_and_small_fonts(void)
{
    Setup s = setup();
    float x, y;
    free_spot(&s, &x, &y);
    add(&s, "smtp.school.example", x, y, 90, 16, 16, FB_NODE_NAME, true, -1);
    add(&s, "incoming server", x + 120, y, 90, 16, 12, FB_NODE_KIND, false, -1);
    add(&s, "a cut packet is fine", x + 240, y, 90, 16, 14, FB_PACKET, true, -1);
    FrameCheck fc;
    framebox_check(s.fb, s.lay, &fc);
    CHECK_EQ_INT(fc.clipped, 1);
    CHECK_EQ_INT(fc.too_small, 1);
    CHECK_EQ_INT(fc.min_name_px, 16);
    CHECK_EQ_INT(fc.min_small_px, 12);
    teardown(&s);
}

static void framebox_should_write_every_text_as_json(void)
{
    Setup s = setup();
    add(&s, "say \"hi\"", 1, 2, 3, 4, 15, FB_PACKET, true, -1);
    add(&s, "Inbox 1", 5, 6, 7, 8, 15, FB_BADGE, false, 2);
    CHECK_EQ_INT((int)framebox_count(s.fb), 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    REQUIRE(f != NULL);
    CHECK(framebox_write_json(s.fb, f));
    fclose(f);
    CHECK(strstr(buf, "{\"w\":1280,\"h\":720,\"texts\":[") == buf);
    CHECK(strstr(buf, "\"text\":\"say \\\"hi\\\"\",\"x\":1.0,\"y\":2.0,\"w\":3.0,\"h\":4.0,"
                      "\"px\":15,\"role\":\"packet\",\"clipped\":true}") != NULL);
    CHECK(strstr(buf, "\"role\":\"badge\",\"clipped\":false}") != NULL);
    free(buf);
    framebox_reset(s.fb, 10, 10);
    CHECK_EQ_INT((int)framebox_count(s.fb), 0);
    teardown(&s);
}

int main(void)
{
    static const TestCase cases[] = {
        { "framebox_should_count_overlapping_canvas_texts_once",
          framebox_should_count_overlapping_canvas_texts_once },
        { "framebox_should_allow_a_pixel_of_rounding", framebox_should_allow_a_pixel_of_rounding },
        { "framebox_should_flag_text_on_another_nodes_tile_only",
          framebox_should_flag_text_on_another_nodes_tile_only },
        { "framebox_should_flag_cut_names_and_small_fonts",
          framebox_should_flag_cut_names_and_small_fonts },
        { "framebox_should_write_every_text_as_json", framebox_should_write_every_text_as_json },
    };
    return test_main(cases, sizeof cases / sizeof cases[0]);
}
