/// Which input sizes a UTNet configuration accepts, derived from the reference's shape logic:
///
/// - each encoder level halves the map: max-pool 2 floors (`H div 2`, needs H >= 2), a stride-2 residual
///   block (`maxpool=False`) rounds up;
/// - an attention block whose queries are an H×W map with `rel_pos` expands the r×r relative position bias by
///   `H div r` and `W div r` and reshapes to H·W rows, so H and W must be positive multiples of r;
/// - keys and values are resized to r×r unless the key map's *height* is already r, in which case its
///   width must be r too (the reference's rearrange to r×r fails otherwise);
/// - a decoder level without attention upsamples the deeper map ×2 and concatenates it with the skip, so
///   the skip must be exactly twice the deeper map.
struct SizePlan {
    let config: UTNetConfig

    /// The H×W of each level 0...4 for an input of `height`×`width`, or the reason it does not fit.
    func check(height: Int, width: Int) -> String? {
        var sizes = [(height, width)]
        for level in 1...4 {
            let (h, w) = sizes[level - 1]
            let strided = config.attentionLevels.contains(level) && !config.maxPool
            if !strided && (h < 2 || w < 2) {
                return "level \(level - 1) is \(h)×\(w), too small to max-pool by 2"
            }
            sizes.append(strided ? ((h + 1) / 2, (w + 1) / 2) : (h / 2, w / 2))
        }
        let r = config.reduceSize
        for level in 0...4 where config.attentionLevels.contains(level) {
            let (h, w) = sizes[level]
            // Encoder block: queries, keys and values at this level.
            if let why = queryProblem(h, w, r) { return describe(level, h, w, "its attention block", why) }
            if let why = keyProblem(h, w, r) { return describe(level, h, w, "its attention block", why) }
            // Decoder block: queries at this level, keys and values from the level below.
            if level <= 3, let why = keyProblem(sizes[level + 1].0, sizes[level + 1].1, r) {
                return describe(level + 1, sizes[level + 1].0, sizes[level + 1].1, "the decoder attention of level \(level)", why)
            }
        }
        for level in 0...3 where !config.attentionLevels.contains(level) {
            let (h, w) = sizes[level], (lh, lw) = sizes[level + 1]
            if h != 2 * lh || w != 2 * lw {
                return "the decoder upsamples the \(lh)×\(lw) map of level \(level + 1) by 2 to join the \(h)×\(w) skip of level \(level); they must match exactly (odd sizes do not survive the max-pooling)"
            }
        }
        return nil
    }

    private func queryProblem(_ h: Int, _ w: Int, _ r: Int) -> String? {
        guard config.relativePosition, h % r != 0 || w % r != 0 || h < r || w < r else { return nil }
        return "needs each side to be a positive multiple of reduce_size \(r) (its relative position bias repeats over \(r)×\(r) cells)"
    }

    private func keyProblem(_ h: Int, _ w: Int, _ r: Int) -> String? {
        guard h == r, w != r else { return nil }
        return "resizes keys to \(r)×\(r) only when the height differs from reduce_size \(r); a map of height \(r) must also have width \(r)"
    }

    private func describe(_ level: Int, _ h: Int, _ w: Int, _ who: String, _ why: String) -> String {
        "at level \(level) (1/\(1 << level) scale) the map is \(h)×\(w), and \(who) \(why)"
    }

    /// The smallest side m such that every square input of side k·m (k = 1...4) fits, for error hints.
    func squareMultiple() -> Int? {
        for m in 1...8192 where (1...4).allSatisfy({ check(height: $0 * m, width: $0 * m) == nil }) { return m }
        return nil
    }
}
