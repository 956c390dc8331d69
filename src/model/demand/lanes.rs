//! [`LaneSampler`]: the demand paths of several runs drawn together, each lane bit for bit the
//! path [`DemandSampler::fill_path`] draws from that lane's generator, and each generator left
//! where that call leaves it. Only flat normal demand (the common case) is drawn this way;
//! [`DemandSampler::in_lanes`] decides.
//!
//! Apart from the run-by-run sampler because it is another loop: the generators interleaved in
//! lanes ([`standard_normals`]) and the loop compiled twice (baseline and AVX2), with its own
//! test that it draws the same numbers.
//!
//! [`DemandSampler::fill_path`]: super::DemandSampler::fill_path
//! [`DemandSampler::in_lanes`]: super::DemandSampler::in_lanes

use crate::foundation::math::max_fast;
use crate::foundation::normal::standard_normals;
use crate::foundation::rng::{LaneStreams, SimRng};
use crate::foundation::vector::Vector;

use super::{round_whole, round_whole_by_floor};

/// Draws the demand paths of several runs together: normal demand without seasonality or trend
/// (the common case), whose draws step in lanes ([`standard_normals`]). Obtained from
/// [`DemandSampler::in_lanes`].
///
/// [`DemandSampler::in_lanes`]: super::DemandSampler::in_lanes
#[derive(Clone, Copy, Debug)]
pub(crate) struct LaneSampler {
    pub(super) mean: f64,
    pub(super) sd: f64,
    pub(super) whole: bool,
}

impl LaneSampler {
    /// Fill `paths[t * N + l]` with day t of the path [`DemandSampler::fill_path`] draws from
    /// `rngs[l]`, bit for bit, for as many days as `paths` holds; each generator ends where
    /// `fill_path` leaves it.
    ///
    /// [`DemandSampler::fill_path`]: super::DemandSampler::fill_path
    pub(crate) fn fill<const N: usize>(
        &self,
        vector: Vector,
        rngs: &mut [SimRng; N],
        paths: &mut [f64],
    ) {
        #[cfg(target_arch = "x86_64")]
        if vector.avx2() {
            // SAFETY: `Vector::avx2` holds only where the processor has AVX2.
            unsafe { self.fill_avx2(rngs, paths) };
            return;
        }
        let _ = vector;
        self.fill_lanes::<N, false>(rngs, paths);
    }

    /// [`LaneSampler::fill`] compiled with AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn fill_avx2<const N: usize>(&self, rngs: &mut [SimRng; N], paths: &mut [f64]) {
        self.fill_lanes::<N, true>(rngs, paths);
    }

    /// With `FLOOR_INSTRUCTION`, whole units are rounded with [`round_whole_by_floor`], which
    /// only a function compiled for SSE4.1 or later (as AVX2 is) turns into one instruction;
    /// elsewhere `floor` is a library call, and [`round_whole`] is cheaper.
    #[inline(always)]
    fn fill_lanes<const N: usize, const FLOOR_INSTRUCTION: bool>(
        &self,
        rngs: &mut [SimRng; N],
        paths: &mut [f64],
    ) {
        let mut streams = LaneStreams::new(rngs);
        for day in paths.chunks_exact_mut(N) {
            let z = standard_normals(&mut streams);
            for (out, z) in day.iter_mut().zip(z) {
                // As `normal` in sampler.rs, then rounded as `fill_scaled` rounds.
                let x = max_fast(self.mean + self.sd * z, 0.0);
                *out = match (self.whole, FLOOR_INSTRUCTION) {
                    (false, _) => x,
                    (true, false) => round_whole(x),
                    (true, true) => round_whole_by_floor(x),
                };
            }
        }
        for (l, rng) in rngs.iter_mut().enumerate() {
            *rng = streams.lane(l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::rng::{Stream, rng_for};
    use crate::model::demand::test_support::model;
    use crate::model::demand::{DemandDistribution, DemandModel, Units};

    /// The lane sampler draws, lane by lane, the paths `fill_path` draws from the same
    /// generators, and leaves each generator where `fill_path` does: over 2,000 days of 16
    /// runs, so that every lane goes through the ziggurat's rare paths (about one draw in a
    /// hundred) many times; whole units and continuous, on both instruction sets.
    #[test]
    fn lane_sampler_draws_the_paths_of_fill_path() {
        use rand::Rng;
        const LANES: usize = 16;
        const DAYS: usize = 2_000;
        for units in [Units::Whole, Units::Continuous] {
            let m = model(
                DemandDistribution::Normal {
                    mean: 20.0,
                    sd: 9.0,
                },
                units,
            );
            let sampler = m.sampler();
            let lanes = sampler
                .in_lanes()
                .expect("flat normal demand draws in lanes");
            for vector in [Vector::baseline(), Vector::detect()] {
                let streams = |run: u64| rng_for(5, run, Stream::Demand(2));
                let mut rngs: [SimRng; LANES] = std::array::from_fn(|l| streams(l as u64));
                let mut paths = vec![0.0; DAYS * LANES];
                lanes.fill(vector, &mut rngs, &mut paths);
                for (l, rng) in rngs.iter_mut().enumerate() {
                    let mut alone = streams(l as u64);
                    let mut path = vec![0.0; DAYS];
                    sampler.fill_path(&mut alone, 0, &mut path);
                    let lane: Vec<f64> = paths.iter().skip(l).step_by(LANES).copied().collect();
                    assert!(lane == path, "{units:?}, {vector:?}: lane {l} differs");
                    assert_eq!(rng.next_u64(), alone.next_u64(), "lane {l}'s generator");
                }
            }
        }
        let seasonal = DemandModel {
            seasonality: [1.2; 12],
            ..model(
                DemandDistribution::Normal {
                    mean: 20.0,
                    sd: 9.0,
                },
                Units::Whole,
            )
        };
        assert!(
            seasonal.sampler().in_lanes().is_none(),
            "seasonal demand is drawn run by run"
        );
    }
}
