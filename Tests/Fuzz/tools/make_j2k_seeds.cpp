// Makes the small JPEG 2000 seeds of Tests/Fuzz/corpus (the corpus's own J2K files are 512 x 512, too big to
// fuzz quickly): re-encodes the pixels of a native grey-scale file losslessly with OpenJPEG and writes it as
// JPEG 2000 Lossless (1.2.840.10008.1.2.4.90), with `split` fragments per frame and a Basic Offset Table.
//   make_j2k_seeds IN.dcm OUT.dcm SPLIT
// Build: clang++ -std=c++17 make_j2k_seeds.cpp -ldcmdata -loflog -lofstd -lopenjp2 (see Tests/Fuzz/README.md).
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"

#include <openjpeg-2.5/openjpeg.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

static std::vector<Uint8> encode(const Uint16 *pixels, unsigned rows, unsigned columns) {
    opj_image_cmptparm_t comp = {};
    comp.dx = comp.dy = 1;
    comp.w = columns;
    comp.h = rows;
    comp.prec = 16;
    comp.sgnd = 0;
    opj_image_t *image = opj_image_create(1, &comp, OPJ_CLRSPC_GRAY);
    image->x1 = columns;
    image->y1 = rows;
    for (size_t i = 0; i < size_t(rows) * columns; ++i) image->comps[0].data[i] = pixels[i];
    opj_cparameters_t params;
    opj_set_default_encoder_parameters(&params);
    params.numresolution = 3;
    params.tcp_numlayers = 1;
    params.tcp_rates[0] = 0;
    params.cp_disto_alloc = 1;
    opj_codec_t *codec = opj_create_compress(OPJ_CODEC_J2K);
    const char *tmp = "/tmp/segd-make-j2k-seed.j2k";
    opj_stream_t *stream = opj_stream_create_default_file_stream(tmp, OPJ_FALSE);
    if (!opj_setup_encoder(codec, &params, image) || !opj_start_compress(codec, image, stream) ||
        !opj_encode(codec, stream) || !opj_end_compress(codec, stream)) {
        std::fprintf(stderr, "OpenJPEG encoding failed\n");
        std::exit(1);
    }
    opj_stream_destroy(stream);
    opj_destroy_codec(codec);
    opj_image_destroy(image);
    std::vector<Uint8> bytes;
    FILE *f = std::fopen(tmp, "rb");
    for (int c; (c = std::fgetc(f)) != EOF;) bytes.push_back(Uint8(c));
    std::fclose(f);
    std::remove(tmp);
    if (bytes.size() % 2) bytes.push_back(0);
    return bytes;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: make_j2k_seeds IN.dcm OUT.dcm SPLIT\n");
        return 2;
    }
    const int split = std::atoi(argv[3]);
    DcmFileFormat file;
    if (file.loadFile(argv[1]).bad()) return 1;
    DcmDataset *ds = file.getDataset();
    Uint16 rows = 0, columns = 0;
    Sint32 frames = 1;
    ds->findAndGetUint16(DCM_Rows, rows);
    ds->findAndGetUint16(DCM_Columns, columns);
    if (ds->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
    const Uint16 *pixels = nullptr;
    if (ds->findAndGetUint16Array(DCM_PixelData, pixels).bad()) return 1;
    auto *sequence = new DcmPixelSequence(DCM_PixelSequenceTag);
    auto *table = new DcmPixelItem(DCM_PixelItemTag);
    sequence->insert(table);
    std::vector<Uint32> offsets;
    Uint32 position = 0;
    for (Sint32 f = 0; f < frames; ++f) {
        std::vector<Uint8> code = encode(pixels + size_t(f) * rows * columns, rows, columns);
        offsets.push_back(position);
        size_t part = (code.size() / split + 1) & ~size_t(1);
        for (size_t start = 0; start < code.size(); start += part) {
            size_t n = std::min(part, code.size() - start);
            auto *item = new DcmPixelItem(DCM_PixelItemTag);
            item->putUint8Array(code.data() + start, Uint32(n));
            sequence->insert(item);
            position += Uint32(8 + n);
        }
    }
    table->putUint8Array(reinterpret_cast<Uint8 *>(offsets.data()), Uint32(4 * offsets.size()));
    DcmPixelData *pixelData = nullptr;
    DcmElement *element = nullptr;
    ds->findAndGetElement(DCM_PixelData, element);
    pixelData = dynamic_cast<DcmPixelData *>(element);
    pixelData->putOriginalRepresentation(EXS_JPEG2000LosslessOnly, nullptr, sequence);
    OFCondition cond = file.saveFile(argv[2], EXS_JPEG2000LosslessOnly);
    if (cond.bad()) {
        std::fprintf(stderr, "save failed: %s\n", cond.text());
        return 1;
    }
    return 0;
}
