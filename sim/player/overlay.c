/* overlay: placeholder */
typedef int OverlayPlaceholder;
