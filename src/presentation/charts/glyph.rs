//! PNG text: plotters' bitmap backend with text drawn glyph by glyph from the embedded font,
//! so the PNG places letters as the SVG does. Kept apart because it is a backend, not a
//! chart: nothing here knows what is drawn.

use std::sync::OnceLock;

use plotters::prelude::{BitMapBackend, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use super::FONT_BYTES;

/// plotters' bitmap backend with its own text drawing: plotters 0.3.7 places each `ab_glyph`
/// glyph at its advance without the glyph's left side bearing, which spaces letters unevenly
/// ("Stockou t"). Here glyphs are placed at their outline bounds, with kerning, and text is
/// sized and anchored like the SVG backend does it (font size = plotters size / 1.24, the same
/// `dy` offsets), so the PNG matches the SVG. Everything else is the bitmap backend's own.
pub(super) struct GlyphBitmap<'a>(pub(super) BitMapBackend<'a>);

type BitmapError<'a> = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

fn glyph_font() -> &'static ab_glyph::FontRef<'static> {
    static FONT_REF: OnceLock<ab_glyph::FontRef<'static>> = OnceLock::new();
    FONT_REF.get_or_init(|| {
        ab_glyph::FontRef::try_from_slice(FONT_BYTES).expect("the embedded DejaVu Sans parses")
    })
}

impl<'a> DrawingBackend for GlyphBitmap<'a> {
    type ErrorType = BitmapError<'a>;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        use ab_glyph::{Font as _, ScaleFont as _};
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let font = glyph_font();
        let units_per_em = font.units_per_em().unwrap_or(2048.0);
        // The SVG backend writes font-size = size / 1.24: draw the same em here.
        let em = (style.size() / 1.24) as f32;
        let scaled = font.as_scaled(em * font.height_unscaled() / units_per_em);
        let x_height = font.outline(font.glyph_id('x')).map_or(0.55 * em, |o| {
            // Bounds are in font units; whichever way y points, the larger magnitude
            // is the top of the 'x' (its bottom sits on the baseline).
            o.bounds.max.y.abs().max(o.bounds.min.y.abs()) / units_per_em * em
        });
        let mut glyphs = Vec::with_capacity(text.len());
        let mut caret = 0.0f32;
        let mut previous = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = previous {
                caret += scaled.kern(p, id);
            }
            glyphs.push(id.with_scale_and_position(scaled.scale(), ab_glyph::point(caret, 0.0)));
            caret += scaled.h_advance(id);
            previous = Some(id);
        }
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -caret / 2.0,
            HPos::Right => -caret,
        };
        // Baseline offsets of the SVG backend: dy = 0.76em, 0.5ex, -0.5ex.
        let baseline = match style.anchor().v_pos {
            VPos::Top => 0.76 * em,
            VPos::Center => 0.5 * x_height,
            VPos::Bottom => -0.5 * x_height,
        };
        let transform = style.transform();
        let (w, h) = self.get_size();
        for glyph in glyphs {
            let Some(outline) = scaled.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let mut pixels = Vec::new();
            outline.draw(|x, y, coverage| pixels.push((x, y, coverage)));
            for (x, y, coverage) in pixels {
                let ox = (bounds.min.x + x as f32 + dx).round() as i32;
                let oy = (bounds.min.y + y as f32 + baseline).round() as i32;
                let (tx, ty) = transform.transform(ox, oy);
                let (px, py) = (pos.0 + tx, pos.1 + ty);
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    self.0.draw_pixel(
                        (px, py),
                        BackendColor {
                            alpha: color.alpha * f64::from(coverage.min(1.0)),
                            rgb: color.rgb,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }
}
