# policy: chest_xray
# expect: SA301@11, SA405@15, SA407@15, SA101@23, SA103@23, SA108@23, SA113@23, SA204@23, SA206@23, SA207@23, SA301@23, SA401@23, SA405@23, SA407@23
# A training script for chest films with Ultralytics. The run keeps its zoom, shift and contrast within the
# policy and turns the mirror and the colour jitter off, but leaves the mosaic on (films of several patients
# under one image's labels), and Ultralytics adds its own Blur and MedianBlur (sigma up to 2 px) whenever
# albumentations is installed. The second run unpacks settings the file does not write out (SA401), and
# every setting they might not give keeps Ultralytics' default: the mirror, the 0.5-1.5x zoom, the jitter.
from ultralytics import YOLO

model = YOLO("yolov8n.pt")
model.train(
    data="cxr.yaml",
    epochs=50,
    imgsz=512,
    mosaic=1.0,
    fliplr=0.0,
    hsv_h=0.0,
    hsv_s=0.0,
    hsv_v=0.1,
    scale=0.1,
    translate=0.05,
)
model.train(data="cxr.yaml", **load_overrides())
