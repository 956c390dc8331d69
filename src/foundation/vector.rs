//! The instruction set the loops over runs stepped together (lanes) are compiled for.
//!
//! Those loops work on arrays of one figure per run, which the compiler turns into vector
//! instructions: two lanes per instruction on the baseline x86-64 target, four with AVX2. The
//! figures are the same bit for bit either way (the loops hold no operation whose rounding
//! could differ, such as a fused multiply-add, which Rust never forms on its own), so the
//! choice changes the speed only. It is made once per simulation, by [`Vector::detect`].

/// Which instruction set to run lane loops with. Only [`Vector::detect`] chooses AVX2, so a
/// loop compiled for it never runs on a processor without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Vector {
    avx2: bool,
}

impl Vector {
    /// The target's baseline instruction set.
    pub(crate) fn baseline() -> Self {
        Vector { avx2: false }
    }

    /// The widest instruction set this processor has.
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            return Vector { avx2: true };
        }
        Vector::baseline()
    }

    /// Whether to run the loops compiled with AVX2. Where it is true the processor has AVX2,
    /// which makes calling a function compiled for it sound.
    pub(crate) fn avx2(self) -> bool {
        self.avx2
    }
}
