"""Clerical rules of Decree 30/2020/NĐ-CP: document types, số/ký hiệu, levels, datelines, Nơi nhận.

Pure: no I/O. Also holds the agency codes of QCVN 102:2016 and QĐ 20/2020/QĐ-TTg and the edXML business status
codes, which the document registers and the edXML codec share.
"""
