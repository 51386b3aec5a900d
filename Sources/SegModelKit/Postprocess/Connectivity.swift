/// Voxel neighbourhood for connected components.
public enum Connectivity: Int, Sendable, Equatable {
    /// 6-connectivity: neighbours share a face (scikit-image `connectivity=1`).
    case faces = 6
    /// 26-connectivity: faces, edges and corners (scikit-image `connectivity=3`, MONAI's `None` in 3-D).
    case full = 26
}
