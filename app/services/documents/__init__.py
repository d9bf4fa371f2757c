"""PDF documents: fonts, the shared page layout, repayment agreements, visit sheets and letters."""
