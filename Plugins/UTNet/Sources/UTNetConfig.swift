import SegModelKit

/// The constructor kwargs of `model.utnet.UTNet` (yhygao/UTNet), read and validated.
///
/// Defaults are those of the reference constructor: `num_classes=1, reduce_size=8, block_list='234',
/// num_blocks=[1, 2, 4], projection='interp', num_heads=[2, 4, 8], attn_drop=0, proj_drop=0, bottleneck=False,
/// maxpool=True, rel_pos=True, aux_loss=False`; `in_chan` and `base_chan` are required.
public struct UTNetConfig: Sendable, Equatable {
    public var inChannels: Int
    public var baseChannels: Int
    public var numClasses: Int
    public var reduceSize: Int
    /// Levels (0...4) that carry attention blocks, from `block_list`.
    public var attentionLevels: Set<Int>
    public var numBlocks: [Int]
    public var numHeads: [Int]
    public var maxPool: Bool
    public var relativePosition: Bool
    public var auxLoss: Bool

    public init(_ description: NetworkDescription) throws(ModelError) {
        var kw = Kwargs(description)
        let cls = description.className
        func bad(_ text: String) -> ModelError { ModelError(.invalidNetworkDescription, "\(cls): \(text)") }

        inChannels = try kw.int("in_chan")
        baseChannels = try kw.int("base_chan")
        numClasses = try kw.int("num_classes", default: 1)
        reduceSize = try kw.int("reduce_size", default: 8)
        let blockList = try kw.string("block_list", default: "234")
        numBlocks = try kw.ints("num_blocks", default: [1, 2, 4])
        numHeads = try kw.ints("num_heads", default: [2, 4, 8])
        let projection = try kw.string("projection", default: "interp")
        let attnDrop = try kw.double("attn_drop", default: 0)
        let projDrop = try kw.double("proj_drop", default: 0)
        let bottleneck = try kw.bool("bottleneck", default: false)
        maxPool = try kw.bool("maxpool", default: true)
        relativePosition = try kw.bool("rel_pos", default: true)
        auxLoss = try kw.bool("aux_loss", default: false)
        try kw.finish()

        guard inChannels >= 1 else { throw bad("kwarg \"in_chan\" must be at least 1, got \(inChannels)") }
        guard baseChannels >= 1 else { throw bad("kwarg \"base_chan\" must be at least 1, got \(baseChannels)") }
        guard numClasses >= 1 else { throw bad("kwarg \"num_classes\" must be at least 1, got \(numClasses)") }
        guard reduceSize >= 1 else { throw bad("kwarg \"reduce_size\" must be at least 1, got \(reduceSize)") }
        guard projection == "interp" else {
            throw bad("kwarg \"projection\" = \"\(projection)\" is not supported; segd implements only \"interp\" (bilinear K/V projection)")
        }
        guard !bottleneck else {
            throw bad("kwarg \"bottleneck\" = true (BottleneckBlock) is not supported; segd implements the BasicBlock variant only (bottleneck=False)")
        }
        for (name, p) in [("attn_drop", attnDrop), ("proj_drop", projDrop)] where !(p >= 0 && p <= 1) {
            throw bad("kwarg \"\(name)\" = \(p) must be in [0, 1] (dropout is the identity at inference)")
        }
        var levels = Set<Int>()
        for ch in blockList {
            guard let d = ch.wholeNumberValue, (0...4).contains(d) else {
                throw bad("kwarg \"block_list\" = \"\(blockList)\" may only contain the level digits 0 to 4")
            }
            levels.insert(d)
        }
        attentionLevels = levels

        // The reference indexes these lists from the end (num_heads[-4] for level 1, ...). Check every index it uses.
        for level in levels.sorted() {
            if level >= 1 {
                let n = try Self.fromEnd(numBlocks, level - 5, "num_blocks", level, cls)
                guard n >= 1 else { throw bad("kwarg \"num_blocks\" needs at least 1 block for attention level \(level), got \(n)") }
            }
            // Encoder block of this level, and the decoder block whose queries are at this level.
            for offset in level <= 3 ? [level - 5, level - 4] : [level - 5] {
                let h = try Self.fromEnd(numHeads, offset, "num_heads", level, cls)
                guard h >= 1 else { throw bad("kwarg \"num_heads\" entries must be at least 1, got \(h)") }
            }
        }
    }

    /// `list[index]` with Python's negative indexing, or a clear error.
    static func fromEnd(_ list: [Int], _ index: Int, _ name: String, _ level: Int, _ cls: String) throws(ModelError) -> Int {
        let i = list.count + index
        guard i >= 0 && i < list.count else {
            throw ModelError(.invalidNetworkDescription,
                             "\(cls): kwarg \"\(name)\" has \(list.count) entries, but attention level \(level) in block_list reads \(name)[\(index)]; give at least \(-index) entries")
        }
        return list[i]
    }

    /// Heads of the encoder attention blocks at `level` (`num_heads[level - 5]`).
    func encoderHeads(_ level: Int) -> Int { numHeads[numHeads.count + level - 5] }
    /// Heads of the decoder attention block whose queries are at `level` (`num_heads[level - 4]`).
    func decoderHeads(_ level: Int) -> Int { numHeads[numHeads.count + level - 4] }
    /// Attention blocks of encoder level `level` >= 1 (`num_blocks[level - 5]`).
    func blocks(_ level: Int) -> Int { numBlocks[numBlocks.count + level - 5] }
    /// Channels at `level`: base_chan · 2^level.
    func channels(_ level: Int) -> Int { baseChannels << level }
}
