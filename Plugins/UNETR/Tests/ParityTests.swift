import Foundation
import NN
import SegModelKit
import Testing
@testable import UNETRPlugin

@Suite struct UNETRParityTests {
    @Test func unetrTiny() throws { try checkParity("unetr_tiny") }
    @Test func unetr2dTiny() throws { try checkParity("unetr2d_tiny") }

    /// unetr_small (8.5 MB) is not copied into the repo: it is read from ../shared (or $SEGD_SHARED).
    @Test func unetrSmall() throws {
        guard let dir = Fixtures.sharedFolder("unetr_small") else { return }  // missing data is recorded as a failure
        try checkParity("unetr_small", folder: dir)
    }
}
