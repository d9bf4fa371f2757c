"""PDF documents: fonts, the shared page layout, repayment agreements and visit sheets."""
